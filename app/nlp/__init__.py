"""Reading text: the rule language and the pipelines the analysis and the tone checks share.

- `rules`: cues as data (`Entry`, token patterns), rule-file helpers, a language's shared
  words; `common`: the language-independent entity rules and language list;
- `pipeline`: one spaCy pipeline per language; `detection`: which language a text is in;
- `matching`: cues matched against a parsed text, and the spans of shouting.

Everything here is read and built once per process and never changed after: a new app
(`create_app`) checks the files but reuses what is loaded. It knows nothing of complaints
or replies; `app.analysis` and `app.tone` build on it, never the other way round.
"""

from app.nlp import rules
from app.nlp.common import common_rules


def check_all() -> list[str]:
    """Load the common rules and every language's shared words (once per process), so a
    broken file stops start-up; returns the languages with shared words."""
    common_rules()
    return rules.check_all()
