"""Cultural activities: publish, sign up with companions, wait your turn, check in by ticket."""
