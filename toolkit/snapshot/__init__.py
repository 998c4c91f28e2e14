"""A live tenant, read from Microsoft Graph (read-only) into a folder `check --intune` judges:
`take` writes it, `graph` reads, `auth` signs in, `clouds` and `kinds` say where and what."""
