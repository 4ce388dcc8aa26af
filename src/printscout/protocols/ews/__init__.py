"""PrintScout protocols ews package: embedded web server pages (HP LEDM)."""
