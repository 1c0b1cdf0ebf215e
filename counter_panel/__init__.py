"""The clerk's counter panel."""
