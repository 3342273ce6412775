"""What every domain uses and that uses no domain: the database session factory, Redis, sealed
secrets, errors, the acting user, time zones, rate limits, the CSV writer, wording and the README
reader."""
