"""Elderly care: visit requests, the volunteers' open board, the visit log and the elder's
profile (emergency contacts, family links and what family may see)."""
