"""PrintScout collector package."""
