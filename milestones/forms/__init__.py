"""The milestones app's forms, one module per area: review (decisions, reopening), extensions,
filters (queue, dashboard, audit log) and filings (the memo and the E-saraban record)."""
