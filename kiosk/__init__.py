"""The citizen kiosk: dossier lookup, procedure information, queue tickets."""
