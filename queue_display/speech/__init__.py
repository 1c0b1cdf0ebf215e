"""What the display says: Vietnamese number words, announcement text, voices and audio."""
