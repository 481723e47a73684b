"""ENGINE: notifications. The inbox everyone has, what each person wants pushed, their devices,
the push outbox and its worker, and the operator's list of pushes that failed."""
