"""社会資源の充足状況: what the town's resources do not meet, for the meeting and coordinators."""
