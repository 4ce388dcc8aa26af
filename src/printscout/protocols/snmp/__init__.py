"""PrintScout protocols snmp package."""
