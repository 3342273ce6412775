"""One module per network, each holding its provider class with every fact about the network
(`registry` finds the classes here), plus the wire helpers a network's class uses."""
