print("tlsfloord")
