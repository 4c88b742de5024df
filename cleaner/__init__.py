"""cleaner: strip boilerplate and noise from news articles, keep a record of every removal.

    from cleaner import clean
    result = clean(text, url="https://www.straitstimes.com/...")
    result.body, result.byline, result.removed, result.to_dict()
"""
from .model import Config, Removal, Result
from .pipeline import clean, clean_document
from .rules import RuleError, load_rules

__all__ = ["clean", "clean_document", "Config", "Result", "Removal", "RuleError", "load_rules"]
__version__ = "0.1.0"
