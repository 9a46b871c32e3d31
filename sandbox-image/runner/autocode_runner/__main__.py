"""`python -m autocode_runner` is the same as the `autocode-runner` command."""

from autocode_runner.cli import main

raise SystemExit(main())
