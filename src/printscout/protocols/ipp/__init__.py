"""IPP (RFC 8010/8011): pure codec (tags, values, codec) and an HTTP(S) client."""
