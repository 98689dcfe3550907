import sys
from pathlib import Path

# let the tests import their helpers (notebook_solutions) as plain modules
sys.path.insert(0, str(Path(__file__).parent))
