"""Reports: billing meter reads, supplies and devices not reporting, as data and downloads."""
