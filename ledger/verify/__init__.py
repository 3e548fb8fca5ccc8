"""`kiemdiem verify` (interim: the module moved whole into the package; the next
commit splits it)."""

from ledger.verify.verifier import *  # noqa: F403
from ledger.verify.verifier import _Store, _subproof_ranges, _Tree  # noqa: F401
from ledger.verify.verifier import verify  # noqa: F401
