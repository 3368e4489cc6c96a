"""plotly.js straight from the plotly wheel (no CDN), and only the file pages load
(`plotly/plotly.min.js`): the wheel's other package data (a 5 MB widget bundle, datasets) is
neither served nor collected."""

from __future__ import annotations

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


class PlotlyFinder(BaseFinder):
    prefix = "plotly"
    files = ("plotly.min.js",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=Path(plotly.__file__).parent / "package_data")
        self.storage.prefix = self.prefix  # collectstatic copies to plotly/<name>

    def find(self, path, find_all=False, **kwargs):
        find_all = kwargs.get("all", find_all)  # Django < 6 may still pass `all`
        prefix, _, name = path.partition("/")
        if prefix != self.prefix or name not in self.files:
            return []
        match = self.storage.path(name)
        return [match] if find_all else match

    def list(self, ignore_patterns):
        for name in self.files:
            yield name, self.storage
