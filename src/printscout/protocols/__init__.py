"""PrintScout protocols package."""
