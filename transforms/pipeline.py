"""The pipeline: one document through clean -> metadata -> structure -> report period -> segment -> metrics."""

from __future__ import annotations

from collections.abc import Callable

from transforms.clean import clean
from transforms.document import Document, SourceText
from transforms.metadata import metadata
from transforms.metrics import extract_metrics
from transforms.metrics.scope import report_period
from transforms.segment import segment
from transforms.structure import structure


def figures(doc: Document) -> Document:
    doc.metrics = extract_metrics(doc)
    return doc


COMPONENTS: tuple[tuple[str, Callable[[Document], Document]], ...] = (
    ("clean", clean),
    ("metadata", metadata),
    ("structure", structure),
    ("report_period", report_period),
    ("segment", segment),
    ("metrics", figures),
)


def process(source: SourceText) -> Document:
    doc = Document(source=source)
    for _name, component in COMPONENTS:
        doc = component(doc)
    return doc
