"""The milestones app's pages, one module per area: home (login, landing), units (a unit's assessment),
dashboard (the department overview), review (queue and decisions), extensions, audit, exports and
reports (PDFs, memo, E-saraban package)."""
