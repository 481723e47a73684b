"""The notice board: notices from the office to the community, a building, or one role."""
