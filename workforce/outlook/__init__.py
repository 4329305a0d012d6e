"""Outlook: demand minus supply with intervals per node of the hierarchy, and a region's whole
forecast run (:mod:`workforce.outlook.region_forecast`)."""
