"""The service layer: one HTTP client, one service per area, one exception tree. No Qt."""
