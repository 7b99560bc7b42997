"""The catalogue holds no personal data (declared for ilmis.privacy)."""

NOT_PERSONAL = ["catalog.Programme", "catalog.Session"]
