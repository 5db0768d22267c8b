"""The 実績 report: figures of a fiscal year or month (``figures``), as tables and charts
(``tables``, ``reports.charts``), with small cells suppressed for what leaves the team
(``reports.cells``); the admin page, exports and print version (``views``, ``hooks``).

For other parts: ``figures.fiscal_year(user, year, **filters)`` and the template include
``reports/results/_summary.html`` (context: ``results``).
"""
