"""Marts: the loaded rows as monthly stocks and flows, vacancies, mobility, education, demand and
population, computed together by :mod:`workforce.marts.build`."""
