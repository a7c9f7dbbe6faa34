"""OCDS packages (contracting processes, their parties, awards and contracts) read in constant
memory and mapped to ordinary catalog events (pure but for the import's scratch database)."""
