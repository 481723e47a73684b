"""Help now (SOS): an elder's one deliberate press that reaches the office, the staff on duty
and the family at once, and escalates until someone answers."""
