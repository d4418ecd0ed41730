"""Qt table models over the services' paged queries."""
