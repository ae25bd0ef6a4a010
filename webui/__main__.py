from webui.cli import main

main()
