"""PrintScout cli package."""
