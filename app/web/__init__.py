"""What every page shares: access decorators, errors, template helpers, security headers."""
