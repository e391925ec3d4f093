from tagship.cli import main

raise SystemExit(main())
