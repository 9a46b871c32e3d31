"""Meta's Graph API for the social media manager: one client, typed results, errors in plain words."""
