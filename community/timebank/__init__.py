"""The time bank: a double-entry ledger of the hours volunteers give."""
