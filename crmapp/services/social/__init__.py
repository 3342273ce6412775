"""Social publishing: one provider facade over the networks, accounts, posts and publishing."""
