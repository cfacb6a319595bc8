"""Pure rules of the Accelerator: no Flask, no database, only values in and values out."""
