"""A datatrove pipeline step: clean `Document.text` in place, keep what was removed.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.integrations.datatrove import CleanerStep

    LocalPipelineExecutor(pipeline=[JsonlReader("in/"), CleanerStep(), JsonlWriter("out/")],
                          tasks=8, workers=2).run()

`doc.text` becomes the clean body; `doc.metadata["cleaner"]` gets the metadata fields (title,
byline, published, agencies, ...), the removed spans ({rule, category, text, start, end},
offsets into the text as it was), warnings and provenance. A document that cannot be cleaned
keeps its text and gets `doc.metadata["cleaner"] = {"error": ...}` (or is dropped, with
`drop_errors=True`). Counters: `documents`, `errors`, `removed_<category>` per removed span.
Install with `pip install 'cleaner[datatrove]'` (pip install -e '.[datatrove]' in a checkout).
"""
from __future__ import annotations

import signal

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from ..model import Config

METADATA_KEY = "cleaner"


class CleanerStep(PipelineStep):
    """Strip boilerplate and noise from each document's text; count removals per category.

    `html`: None treats text that looks like an HTML page as HTML (as WarcReader gives it),
    True always, False never. The URL and outlet are read from `doc.metadata["url"]` and
    `doc.metadata["outlet"]` when present.
    """

    name = "🧹 cleaner"
    type = "✂️ - FORMATTER"

    def __init__(self, config: Config | None = None, *, html: bool | None = None,
                 drop_errors: bool = False):
        super().__init__()
        self.config = config or Config()
        self.html = html
        self.drop_errors = drop_errors

    def _document(self, doc):
        from ..ingest import document_from_record

        meta = doc.metadata or {}
        record = {"id": str(doc.id), "url": meta.get("url"), "outlet": meta.get("outlet")}
        if self.html is True:
            record["html"] = doc.text
        else:
            record["text"] = doc.text
        ours = document_from_record(str(doc.id), record)
        if self.html is False and ours.html is not None:     # never HTML: keep it as text
            ours.text, ours.html = ours.html, None
        return ours

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        from ..batch import alarm_usable, clean_guarded, on_alarm, prepared

        rules = prepared(self.config)     # loaded and compiled once per process
        alarm = alarm_usable()            # the per-document time limit, as in `cleaner clean`
        previous = signal.signal(signal.SIGALRM, on_alarm) if alarm else None
        try:
            for doc in data:
                self.stat_update("documents")
                with self.track_time():
                    result = clean_guarded(self._document(doc), self.config, rules, alarm)
                if result.error:
                    self.stat_update("errors")
                    if self.drop_errors:
                        continue
                    doc.metadata[METADATA_KEY] = {"error": result.error}
                    yield doc
                    continue
                record = result.to_dict()
                record.pop("id", None)
                doc.text = record.pop("body")
                doc.metadata[METADATA_KEY] = record
                for removal in result.removed:
                    self.stat_update(f"removed_{removal.category}")
                yield doc
        finally:
            if alarm:
                signal.signal(signal.SIGALRM, previous)
