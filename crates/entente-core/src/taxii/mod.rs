//! TAXII 2.1 wire types. (Being written.)
