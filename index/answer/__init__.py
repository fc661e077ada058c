"""The engine the front ends call: answers, browsing, notices, citations and exports of references, evaluation."""
