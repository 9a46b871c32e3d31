"""The social media manager: a family's own Instagram and Facebook accounts (docs/social-media.md)."""
