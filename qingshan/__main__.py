from qingshan.cli import main

raise SystemExit(main())
