"""Date and number formats per language, over Django's own (FORMAT_MODULE_PATH in project/settings.py).

Django localizes numbers and dates by the active language (always on since Django 5): a float in a
template, `floatformat`, the `date` filter with a format's name. These modules change only the
formats the pages use for times of data (docs/languages.md):

- SHORT_DATETIME_FORMAT: a moment of a series or an export, "Tue 1 Dec 14:05" / "Di., 1. Dez. 14:05";
- MONTH_DAY_FORMAT: a day on a chart's axis or an export's range, "1 Dec" / "1. Dez.";
- DATE_FORMAT: a day with its year, "1 Dec 2026" / "1. Dez. 2026".

Numbers keep Django's: "14.173" in English, "14,173" in German (no thousands separator). CSV files
are for machines and are not localized (assets/tasks.py).
"""
