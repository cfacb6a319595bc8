"""Use cases: one function per thing a user does; they take ids and plain values, commit, raise DomainError."""
