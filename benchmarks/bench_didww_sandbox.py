"""Throughput of the DIDWW sandbox on `available_dids` and `orders` over a real socket."""

from velo_sandbox.didww.bench import main

if __name__ == "__main__":
    main()
