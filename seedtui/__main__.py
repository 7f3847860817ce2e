from seedtui.cli import main

main()
