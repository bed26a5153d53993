import sys

from socialsafe.cli import main

sys.exit(main())
