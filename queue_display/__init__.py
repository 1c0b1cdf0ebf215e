"""The waiting-room display: live board and Vietnamese announcements."""
