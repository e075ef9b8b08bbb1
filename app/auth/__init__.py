"""Identity: who the caller is, what their role allows, and how they proved it."""
