"""PrintScout domain package."""
